import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")

app = Celery("trafficking_cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
