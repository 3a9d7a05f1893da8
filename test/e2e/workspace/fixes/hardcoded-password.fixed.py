import pymysql
import os


def connect():
    return pymysql.connect(host="db.internal", user="nova", password=os.environ["PASSWORD"], database="nova")
