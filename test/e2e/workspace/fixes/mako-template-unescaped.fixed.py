from mako.lookup import TemplateLookup

TEMPLATE_DIRS = ["/usr/share/dashboard/mako"]

pages = TemplateLookup(directories=TEMPLATE_DIRS, default_filters=['h'])
