import requests


def fetch_token(url):
    return requests.get(url, verify=False, timeout=10).json()
