from oslo_config import cfg

auth_opts = [
    cfg.StrOpt("admin_user", help="Name of the admin user"),
    cfg.StrOpt("admin_password", help="Password of the admin user"),
]

cfg.CONF.register_opts(auth_opts, group="keystone_authtoken")
