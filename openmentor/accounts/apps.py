from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openmentor.accounts"
    label = "accounts"
