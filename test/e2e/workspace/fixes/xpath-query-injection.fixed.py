from lxml import etree


def find_user(path, name):
    tree = etree.parse(path)
    return tree.xpath("//user[@name=$name]", name=name)
