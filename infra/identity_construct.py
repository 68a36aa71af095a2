"""The Cognito user pool of a stage (infra.identity_spec, the same spec local.provision creates on moto): one pool,
groups clients / operators / annotators, an app client without secret (USER_PASSWORD_AUTH + refresh), and, with
`-c operatorEmail=…`, the first operator.

Cognito mails nothing for this pool: no auto-verified attributes (the auth API mails its own codes through SES and
confirms with admin calls), and the first operator is created with its invitation suppressed; they set a password
through the auth API's forgotPassword / confirmForgotPassword (or `make operator … PASSWORD=…`)."""

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from bytebridge.identity import OPERATORS
from infra import identity_spec
from infra.asl import pascal
from infra.config import StageConfig
from infra.nag import acknowledge


class IdentityConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        policy = identity_spec.PASSWORD_POLICY
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.name(identity_spec.POOL_BASE),
            self_sign_up_enabled=True,  # sign-up goes through the auth API, which calls the public SignUp
            sign_in_aliases=cognito.SignInAliases(email=True),  # the e-mail is the username
            auto_verify=cognito.AutoVerifiedAttrs(email=False, phone=False),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=length, mutable=True)
                for name, length in identity_spec.CUSTOM_ATTRIBUTES.items()
            },
            password_policy=cognito.PasswordPolicy(
                min_length=policy.minimum_length,
                require_uppercase=policy.require_uppercase,
                require_lowercase=policy.require_lowercase,
                require_digits=policy.require_digits,
                require_symbols=policy.require_symbols,
            ),
            account_recovery=cognito.AccountRecovery.NONE,  # our own reset codes (auth API), not Cognito's mail
            mfa=cognito.Mfa.OFF,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=config.is_prod,
            removal_policy=config.removal_policy,
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=config.name(identity_spec.CLIENT_BASE),
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),  # + ALLOW_REFRESH_TOKEN_AUTH, always on
            id_token_validity=Duration.minutes(identity_spec.ID_TOKEN_MINUTES),
            access_token_validity=Duration.minutes(identity_spec.ID_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(identity_spec.REFRESH_TOKEN_DAYS),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            # Users may not write custom:user_id (their ByteBridge account): only the auth API does, as admin.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True),
        )
        self.groups = {
            group: cognito.CfnUserPoolGroup(
                self,
                f"Group{pascal(group)}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                description=description,
            )
            for group, description in identity_spec.GROUP_DESCRIPTIONS.items()
        }
        if config.operator_email:
            operator = cognito.CfnUserPoolUser(
                self,
                "FirstOperator",
                user_pool_id=self.user_pool.user_pool_id,
                username=config.operator_email,
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=config.operator_email),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
                ],
                message_action="SUPPRESS",
            )
            membership = cognito.CfnUserPoolUserToGroupAttachment(
                self,
                "FirstOperatorGroup",
                user_pool_id=self.user_pool.user_pool_id,
                username=config.operator_email,
                group_name=OPERATORS,
            )
            membership.add_dependency(operator)
            membership.add_dependency(self.groups[OPERATORS])
        CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id, description="Cognito user pool")
        CfnOutput(self, "UserPoolClientId", value=self.client.user_pool_client_id, description="App client")

        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "no MFA for now: clients sign in to the dashboard with e-mail and password; the documented API uses "
            "signed requests with per-account secrets, not these tokens. MFA (TOTP) comes with the dashboard issue",
        )
        for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
            acknowledge(
                self.user_pool,
                rule,
                "Essentials plan, no threat protection: the Plus plan (advanced security) is billed per monthly "
                "active user; Cognito rate-limits sign-in failures and our own codes are hashed, expire in 15 "
                "minutes and allow 5 attempts (bytebridge.logic.users)",
            )
