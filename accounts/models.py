from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address; there are no usernames or phone numbers."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    sales_group = models.ForeignKey(
        "sales.SalesGroup",
        verbose_name=_("sales group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_(
            "For a customer: the group that looks after them. For an inquiry login: "
            "the group whose customers it may look up."
        ),
    )
    # A keyed hash of the sign-up address, so reviewers can see abnormal registration activity
    # from the same place without the portal keeping IP addresses.
    signup_ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    is_demo = models.BooleanField(
        default=False, help_text=_("Created by `make run` for trying the portal out.")
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.email

    def get_short_name(self):
        return self.email


class RiskEvent(models.Model):
    """Something a risk-control reviewer should know about, such as a burst of sign-ups."""

    class Kind(models.TextChoices):
        SIGNUP_RATE_LIMITED = "signup_rate_limited", _("Too many sign-ups from one address")
        SIGNUP_DOMAIN_LIMITED = (
            "signup_domain_limited",
            _("Too many sign-ups from one email domain"),
        )
        LOGIN_RATE_LIMITED = "login_rate_limited", _("Too many sign-in attempts")
        RESET_RATE_LIMITED = "reset_rate_limited", _("Too many password reset requests")
        OTHER_RATE_LIMITED = "rate_limited", _("Too many requests")
        SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in locked after repeated wrong passwords")
        TWO_STEP_LOCKED = (
            "two_step_locked",
            _("Sign-in locked after repeated wrong two-step codes"),
        )

    kind = models.CharField(max_length=40, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_events",
    )
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email_domain = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"
