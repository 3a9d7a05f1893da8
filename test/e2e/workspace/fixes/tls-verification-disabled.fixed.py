import requests


def fetch_token(url):
    return requests.get(url, verify=True, timeout=10).json()
