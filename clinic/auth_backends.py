"""How a signed-in user is loaded on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipModelBackend(ModelBackend):
    """Django's model backend, loading the user's clinic membership and clinic in the same query.

    Every clinic page needs all three; fetched lazily they cost two more queries per request.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("membership__clinic").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
