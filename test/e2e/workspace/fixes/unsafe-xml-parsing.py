import xml.etree.ElementTree as ET


def read_inventory(path):
    return ET.parse(path).getroot()
