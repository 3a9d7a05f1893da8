import paramiko


def host_uptime(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username="stack")
    _, stdout, _ = client.exec_command("uptime")
    return stdout.read()
