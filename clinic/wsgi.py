"""
WSGI config for clinic project.

It exposes the WSGI callable as a module-level variable named ``application``: Django's handler,
with requests that survive a hostile charset (``clinic.handlers``).

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

import django

from clinic.handlers import ExoSafeWSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup(set_prefix=False)

application = ExoSafeWSGIHandler()
