import requests


def list_servers(nova_host, token):
    return requests.get(f"https://{nova_host}:8774/v2.1/servers", headers={"X-Auth-Token": token}, timeout=10)
