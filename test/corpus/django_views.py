"""Django views and settings fragments."""
import logging
import os
import subprocess
import xml.etree.ElementTree as ET

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"  # noflag
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # noflag
DB_PASSWORD = "Pr0duction!2024"  # flag


def report(request):
    year = request.GET.get("year")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM sales WHERE year = " + year)  # flag
        cursor.execute("SELECT * FROM sales WHERE year = %s", [year])  # noflag
        return JsonResponse({"rows": cursor.fetchall()})


def by_name(request):
    from shop.models import Product
    name = request.GET["name"]
    items = Product.objects.raw("SELECT * FROM shop_product WHERE name = '%s'" % name)  # flag
    safe = Product.objects.raw("SELECT * FROM shop_product WHERE name = %s", [name])  # noflag
    return JsonResponse({"n": len(list(items)) + len(list(safe))})


def banner(request):
    msg = request.GET.get("msg", "")
    return HttpResponse(mark_safe("<div>" + msg + "</div>"))  # flag


def static_banner(request):
    return HttpResponse(mark_safe("<div>Welcome</div>"))  # noflag


def login_redirect(request):
    nxt = request.GET.get("next", "/")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(nxt)  # noflag
    return HttpResponseRedirect("/")  # noflag


def bad_redirect(request):
    return HttpResponseRedirect(request.GET["next"])  # flag


@csrf_exempt  # flag
def webhook(request):
    doc = ET.fromstring(request.body)  # flag
    return HttpResponse(doc.tag)


def convert(request):
    fmt = request.POST.get("format", "png")
    src = request.FILES["doc"].name
    subprocess.call("convert %s out.%s" % (src, fmt), shell=True)  # flag
    return HttpResponse("ok")


def upload(request):
    try:
        handle(request.FILES["doc"])
    except ValueError as e:
        logger.warning("upload failed: %s", e)  # flag
        return HttpResponse("upload failed: " + str(e), status=400)  # flag
    except OSError:
        logger.exception("upload failed")  # noflag
        return HttpResponse("upload failed", status=500)  # noflag
    return HttpResponse("ok")


def handle(f):
    with open(os.path.join("/srv/media", os.path.basename(f.name)), "wb") as out:  # noflag
        for chunk in f.chunks():
            out.write(chunk)


def set_pref(request):
    resp = HttpResponse("ok")
    resp.set_cookie("theme", request.GET.get("theme", "light"), secure=True, httponly=True)  # noflag
    resp.set_cookie("sessionid", request.session.session_key)  # flag
    return resp
