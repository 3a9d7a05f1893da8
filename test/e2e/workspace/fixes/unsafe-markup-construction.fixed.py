from markupsafe import Markup


def badge(user):
    return Markup("<span class='badge'>{}</span>").format(user.display_name)
