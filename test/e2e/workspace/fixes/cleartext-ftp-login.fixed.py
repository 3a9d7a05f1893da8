import ftplib


def upload_backup(host, user, password, path):
    ftp = ftplib.FTP_TLS(host)
    ftp.login(user, password)
    with open(path, "rb") as f:
        ftp.storbinary("STOR backup.tar.gz", f)
    ftp.quit()
