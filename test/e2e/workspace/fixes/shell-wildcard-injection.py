import os


def backup_uploads():
    os.chdir("/srv/uploads")
    os.system("tar czf /var/backups/uploads.tgz *")
