"""IAM policies as AWS serves them.

moto 5.2.1 knows AWS managed policies (`arn:aws:iam::aws:policy/...`) only when
`MOTO_IAM_LOAD_MANAGED_POLICIES` is set, so attaching one fails with NoSuchEntity; and
GetPolicyVersion returns the document as plain JSON where IAM URL-encodes it (as moto already does
for GetRolePolicy). This makes every account know AWS's managed policies (moto's own copy of them)
and URL-encodes GetPolicyVersion's document.

The policies are those of the standard partition (`aws`), the one the emulator's regions belong to.
moto creates an IAM backend for each of its six partitions the first time a request looks up its
caller's account, and would parse its 1 MB copy of the policies again for each: about 1.4 s of
every reset and the first request after it. Here the copy is parsed once and loaded into the
standard partition's backends only.
"""

import json
from typing import Any

from moto.core.serialize import url_encode
from moto.iam import models as iam_models
from moto.iam.responses import IamResponse

STANDARD_PARTITION = "aws"


def apply() -> None:
    documents: dict[str, Any] = json.loads(iam_models.aws_managed_policies_data)

    def _init_aws_policies(self: iam_models.IAMBackend) -> list[iam_models.ManagedPolicy]:
        # An IAM backend's region_name is its partition.
        if self.region_name != STANDARD_PARTITION:
            return []
        return [
            iam_models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in documents.items()
        ]

    # Called by IAMBackend.__init__, so every backend made after a reset loads them too.
    iam_models.IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]
    IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        **IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER,
        "GetPolicyVersionResponse.PolicyVersion.Document": url_encode,
    }
