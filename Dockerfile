# Production image: gunicorn (web), Celery worker and Celery beat all run from this image;
# docker-compose.yml picks the command. Configuration comes from the environment only.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint: Pango (+ its FreeType back end), HarfBuzz subsetting, and a font that covers
# Latvian and Cyrillic.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# The lock file first, so the dependency layer is cached across code changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time and served by WhiteNoise. var/ holds media and the
# beat schedule; the volumes mounted there inherit the ownership set here.
RUN DJANGO_PRODUCTION=1 DJANGO_SECRET_KEY=collectstatic-at-build-time python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

CMD ["gunicorn", "trafficking_cms.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-", "--error-logfile", "-"]
