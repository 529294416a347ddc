"""IAM policies as AWS serves them.

moto 5.2.1 knows AWS managed policies (`arn:aws:iam::aws:policy/...`) only when
`MOTO_IAM_LOAD_MANAGED_POLICIES` is set, so attaching one fails with NoSuchEntity; and
GetPolicyVersion returns the document as plain JSON where IAM URL-encodes it (as moto already does
for GetRolePolicy). This makes every account know AWS's managed policies (moto's own copy of them)
and URL-encodes GetPolicyVersion's document.
"""

from moto.core.serialize import url_encode
from moto.iam import models as iam_models
from moto.iam.responses import IamResponse


def apply() -> None:
    # Read by IAMBackend.__init__: every backend (also after a reset) loads the AWS managed policies.
    iam_models.load_iam_aws_managed_policies = lambda: True  # type: ignore[attr-defined]
    IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        **IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
        "GetPolicyVersionResponse.PolicyVersion.Document": url_encode,
    }
