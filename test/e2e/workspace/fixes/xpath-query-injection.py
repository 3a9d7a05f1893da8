from lxml import etree


def find_user(path, name):
    tree = etree.parse(path)
    return tree.xpath(f"//user[@name='{name}']")
