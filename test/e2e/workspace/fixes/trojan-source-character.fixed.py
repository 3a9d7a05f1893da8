def may_set_gateway(user):
    # Only admins may change the gateway if user.is_admin
    return user.is_admin
