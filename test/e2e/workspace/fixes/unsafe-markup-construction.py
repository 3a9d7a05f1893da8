from markupsafe import Markup


def badge(user):
    return Markup(f"<span class='badge'>{user.display_name}</span>")
