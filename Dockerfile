# The portal's one image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Tesseract and the OCR-B font read the passport's machine-readable zone; libgl1 is for
# OpenCV, which the second MRZ reader (RapidOCR) loads.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng fonts-ocr-b libgl1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies only (the dev list holds test tools), installed before the code is
# copied so that a code change doesn't reinstall them.
COPY pyproject.toml ./
# PyICU (name transliteration for sanctions screening) is built against ICU, then the
# compiler goes again; the ICU library stays.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && apt-get update && apt-get install -y --no-install-recommends libicu72 libicu-dev pkg-config g++ \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && apt-get purge -y --auto-remove libicu-dev pkg-config g++ \
    && rm -rf /var/lib/apt/lists/*

# The face match's model files come inside the face-recognition-models package (pinned in
# pyproject.toml with dlib-bin): checked here, so the image never fetches weights at run time.
RUN python -c "import dlib, face_recognition_models as m, os; assert os.path.exists(m.face_recognition_model_location())"

COPY . .

# Static files are collected at build time; the keys here exist only for this one command.
# (Translations are compiled in the repository: locale/*/LC_MESSAGES/django.mo.)
RUN DEBUG=false \
    SECRET_KEY=collectstatic-only \
    FIELD_ENCRYPTION_KEYS="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    KYC_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var

RUN useradd --system --uid 10001 --home-dir /app kyc \
    && mkdir -p /app/var && chown kyc /app/var
USER kyc

ENV DEBUG=false KYC_VAR_DIR=/app/var
EXPOSE 8000
CMD ["gunicorn", "kyc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-", "--access-logformat", "%(h)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms"]
