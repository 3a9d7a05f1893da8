import requests


def fetch_token(url):
    return requests.get(url, timeout=10).json()
