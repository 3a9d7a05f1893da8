import requests


def fetch_token(url):
    return requests.get(url).json()
