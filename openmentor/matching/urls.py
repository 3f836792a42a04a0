from django.urls import URLPattern, URLResolver

from openmentor.matching.choice_urls import urlpatterns as choice_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [] + choice_urlpatterns
