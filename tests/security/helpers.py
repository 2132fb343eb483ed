"""Shared helpers for the security tests: real TOTP codes from a device's key."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows for this device now (or a step away)."""
    return f"{totp(device.bin_key, device.step, device.t0 + offset_steps * device.step * -1, device.digits, device.drift):06d}"


def code_for_key(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def password_login(client, username: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def enrol_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
