import pymysql


def connect():
    return pymysql.connect(host="db.internal", user="nova", password="n0va-db-pass", database="nova")
