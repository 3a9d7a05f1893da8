import paramiko


def host_uptime(host):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username="stack")
    _, stdout, _ = client.exec_command("uptime")
    return stdout.read()
