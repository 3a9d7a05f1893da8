import xml.etree.ElementTree as ET
import defusedxml.ElementTree


def read_inventory(path):
    return defusedxml.ElementTree.parse(path).getroot()
