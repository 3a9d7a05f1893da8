from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATE_DIR = "/usr/share/dashboard/templates"


def make_env():
    return Environment(loader=FileSystemLoader(TEMPLATE_DIR))
