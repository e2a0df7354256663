"""Every control-plane operation through boto3: lifecycles, model member names, error codes."""
import json
import subprocess
import unittest

from cloud_helpers import CloudTest, error_code, have_boto3

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]})
DOC2 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iot:Publish", "Resource": "*"}]})


@unittest.skipUnless(have_boto3, "boto3 not installed")
class CloudBoto3Test(CloudTest):
    def assertClientError(self, code, status, fn, *args, **kw):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            fn(*args, **kw)
        self.assertEqual(error_code(ctx.exception), (code, status), ctx.exception.response)
        return ctx.exception.response

    def test_certificate_lifecycle(self):
        b = self.boto()
        pem = self.read(self.make_cert("dev"))
        reg = b.register_certificate_without_ca(certificatePem=pem)
        cid, arn = reg["certificateId"], reg["certificateArn"]
        der = subprocess.run(["openssl", "x509", "-in", self.path("dev.pem"), "-outform", "DER"], capture_output=True,
                             check=True).stdout
        import hashlib
        self.assertEqual(cid, hashlib.sha256(der).hexdigest())
        d = b.describe_certificate(certificateId=cid)["certificateDescription"]
        self.assertEqual(d["status"], "INACTIVE")  # the default status
        self.assertEqual(d["certificateMode"], "SNI_ONLY")
        self.assertLess(d["validity"]["notBefore"], d["validity"]["notAfter"])
        self.assertEqual(d["creationDate"], d["lastModifiedDate"])
        self.assertEqual(set(d), {"certificateArn", "certificateId", "status", "certificatePem", "ownedBy",
                                  "creationDate", "lastModifiedDate", "customerVersion", "generationId", "validity",
                                  "certificateMode"})
        r = self.assertClientError("ResourceAlreadyExistsException", 409, b.register_certificate_without_ca,
                                   certificatePem=pem)
        self.assertEqual(r["resourceId"], cid)
        self.assertEqual(r["resourceArn"], arn)
        b.update_certificate(certificateId=cid, newStatus="ACTIVE")
        self.assertEqual(b.describe_certificate(certificateId=cid)["certificateDescription"]["status"], "ACTIVE")
        self.assertClientError("InvalidRequestException", 400, b.update_certificate, certificateId=cid,
                               newStatus="PENDING_TRANSFER")
        self.assertClientError("CertificateStateException", 406, b.delete_certificate, certificateId=cid)
        b.create_policy(policyName="p", policyDocument=DOC)
        b.attach_policy(policyName="p", target=arn)
        b.update_certificate(certificateId=cid, newStatus="INACTIVE")
        self.assertClientError("DeleteConflictException", 409, b.delete_certificate, certificateId=cid)
        b.delete_certificate(certificateId=cid, forceDelete=True)
        self.assertClientError("ResourceNotFoundException", 404, b.describe_certificate, certificateId=cid)
        self.assertEqual(b.list_targets_for_policy(policyName="p")["targets"], [])

    def test_create_keys_and_certificate(self):
        b = self.boto()
        out = b.create_keys_and_certificate(setAsActive=True)
        self.assertEqual(set(out), {"certificateArn", "certificateId", "certificatePem", "keyPair", "ResponseMetadata"})
        self.assertEqual(set(out["keyPair"]), {"PublicKey", "PrivateKey"})
        with open(self.path("issued.pem"), "w") as f:
            f.write(out["certificatePem"])
        root = self.path("root.pem")
        with open(root, "w") as f:
            f.write(subprocess.run([self.cloud.proc.args[0], "cloud", "ca", "--data", self.data], capture_output=True,
                                   text=True, check=True).stdout)
        verify = subprocess.run(["openssl", "verify", "-CAfile", root, self.path("issued.pem")], capture_output=True,
                                text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        d = b.describe_certificate(certificateId=out["certificateId"])["certificateDescription"]
        self.assertEqual((d["status"], d["certificateMode"]), ("ACTIVE", "DEFAULT"))

    def test_ca_registration_and_register_certificate(self):
        b = self.boto()
        code = b.get_registration_code()["registrationCode"]
        self.assertEqual(code, b.get_registration_code()["registrationCode"])
        ca = self.make_ca("VendorCA")
        verification = self.make_cert("verif", ca=ca, cn=code)
        bad_verification = self.make_cert("badverif", ca=ca, cn="wrong")
        self.assertClientError("RegistrationCodeValidationException", 400, b.register_ca_certificate,
                               caCertificate=self.read(ca[0]), verificationCertificate=self.read(bad_verification))
        reg = b.register_ca_certificate(caCertificate=self.read(ca[0]), verificationCertificate=self.read(verification),
                                        setAsActive=True, allowAutoRegistration=True,
                                        registrationConfig={"templateBody": "{}"})
        ca_id = reg["certificateId"]
        d = b.describe_ca_certificate(certificateId=ca_id)
        self.assertEqual(d["certificateDescription"]["status"], "ACTIVE")
        self.assertEqual(d["certificateDescription"]["autoRegistrationStatus"], "ENABLE")
        self.assertEqual(d["certificateDescription"]["certificateMode"], "DEFAULT")
        self.assertEqual(d["registrationConfig"], {"templateBody": "{}"})
        self.assertEqual([c["certificateId"] for c in b.list_ca_certificates()["certificates"]], [ca_id])
        # DEFAULT mode: only one account per region; SNI_ONLY elsewhere is fine.
        other = self.boto(account="999999999999")
        code2 = other.get_registration_code()["registrationCode"]
        self.assertNotEqual(code, code2)
        verification2 = self.make_cert("verif2", ca=ca, cn=code2)
        self.assertClientError("ResourceAlreadyExistsException", 409, other.register_ca_certificate,
                               caCertificate=self.read(ca[0]), verificationCertificate=self.read(verification2))
        other.register_ca_certificate(caCertificate=self.read(ca[0]), certificateMode="SNI_ONLY")
        device = self.make_cert("device", ca=ca)
        dev = b.register_certificate(certificatePem=self.read(device), status="ACTIVE")
        dd = b.describe_certificate(certificateId=dev["certificateId"])["certificateDescription"]
        self.assertEqual((dd["caCertificateId"], dd["certificateMode"]), (ca_id, "DEFAULT"))
        self.assertEqual([c["certificateId"] for c in b.list_certificates_by_ca(caCertificateId=ca_id)["certificates"]],
                         [dev["certificateId"]])
        stranger = self.make_cert("stranger")
        self.assertClientError("CertificateValidationException", 400, b.register_certificate,
                               certificatePem=self.read(stranger))
        b.update_ca_certificate(certificateId=ca_id, newStatus="INACTIVE", newAutoRegistrationStatus="DISABLE")
        d = b.describe_ca_certificate(certificateId=ca_id)["certificateDescription"]
        self.assertEqual((d["status"], d["autoRegistrationStatus"]), ("INACTIVE", "DISABLE"))
        self.assertClientError("CertificateStateException", 406, b.delete_ca_certificate, certificateId=ca_id)
        b.update_certificate(certificateId=dev["certificateId"], newStatus="INACTIVE")
        b.delete_certificate(certificateId=dev["certificateId"])
        b.delete_ca_certificate(certificateId=ca_id)
        self.assertClientError("ResourceNotFoundException", 404, b.describe_ca_certificate, certificateId=ca_id)

    def test_policy_versions_and_attachments(self):
        b = self.boto()
        arn = b.register_certificate_without_ca(certificatePem=self.read(self.make_cert("d")))["certificateArn"]
        created = b.create_policy(policyName="pol", policyDocument=DOC)
        self.assertEqual(created["policyArn"], "arn:aws:iot:us-east-1:123456789012:policy/pol")
        self.assertClientError("ResourceAlreadyExistsException", 409, b.create_policy, policyName="pol",
                               policyDocument=DOC)
        v2 = b.create_policy_version(policyName="pol", policyDocument=DOC2, setAsDefault=True)
        self.assertEqual((v2["policyVersionId"], v2["isDefaultVersion"]), ("2", True))
        got = b.get_policy(policyName="pol")
        self.assertEqual((got["defaultVersionId"], got["policyDocument"]), ("2", DOC2))
        v1 = b.get_policy_version(policyName="pol", policyVersionId="1")
        self.assertEqual((v1["policyDocument"], v1["isDefaultVersion"]), (DOC, False))
        versions = b.list_policy_versions(policyName="pol")["policyVersions"]
        self.assertEqual(sorted((v["versionId"], v["isDefaultVersion"]) for v in versions), [("1", False), ("2", True)])
        b.set_default_policy_version(policyName="pol", policyVersionId="1")
        self.assertEqual(b.get_policy(policyName="pol")["defaultVersionId"], "1")
        self.assertClientError("DeleteConflictException", 409, b.delete_policy_version, policyName="pol",
                               policyVersionId="1")
        b.delete_policy_version(policyName="pol", policyVersionId="2")
        self.assertClientError("ResourceNotFoundException", 404, b.get_policy_version, policyName="pol",
                               policyVersionId="2")
        b.attach_policy(policyName="pol", target=arn)
        self.assertEqual(b.list_attached_policies(target=arn)["policies"],
                         [{"policyName": "pol", "policyArn": created["policyArn"]}])
        self.assertEqual(b.list_targets_for_policy(policyName="pol")["targets"], [arn])
        self.assertClientError("DeleteConflictException", 409, b.delete_policy, policyName="pol")
        b.detach_policy(policyName="pol", target=arn)
        self.assertEqual(b.list_attached_policies(target=arn)["policies"], [])
        # The legacy principal API does the same.
        b.attach_principal_policy(policyName="pol", principal=arn)
        self.assertEqual(len(b.list_attached_policies(target=arn)["policies"]), 1)
        b.detach_principal_policy(policyName="pol", principal=arn)
        b.delete_policy(policyName="pol")
        self.assertEqual(b.list_policies()["policies"], [])
        self.assertClientError("MalformedPolicyException", 400, b.create_policy, policyName="bad",
                               policyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}')
        self.assertClientError("ResourceNotFoundException", 404, b.attach_policy, policyName="missing", target=arn)

    def test_things_and_principals(self):
        b = self.boto()
        arn = b.register_certificate_without_ca(certificatePem=self.read(self.make_cert("d")))["certificateArn"]
        t = b.create_thing(thingName="sensor-1", attributePayload={"attributes": {"room": "kitchen"}})
        self.assertEqual(t["thingArn"], "arn:aws:iot:us-east-1:123456789012:thing/sensor-1")
        self.assertEqual(b.create_thing(thingName="sensor-1", attributePayload={"attributes": {"room": "kitchen"}})
                         ["thingId"], t["thingId"])
        self.assertClientError("ResourceAlreadyExistsException", 409, b.create_thing, thingName="sensor-1")
        b.attach_thing_principal(thingName="sensor-1", principal=arn)
        self.assertEqual(b.list_thing_principals(thingName="sensor-1")["principals"], [arn])
        self.assertEqual(b.list_principal_things(principal=arn)["things"], ["sensor-1"])
        b.update_thing(thingName="sensor-1", attributePayload={"attributes": {"floor": "2"}, "merge": True},
                       expectedVersion=1)
        d = b.describe_thing(thingName="sensor-1")
        self.assertEqual(d["attributes"], {"room": "kitchen", "floor": "2"})
        self.assertEqual((d["version"], d["defaultClientId"], d["thingId"]), (2, "sensor-1", t["thingId"]))
        self.assertClientError("VersionConflictException", 409, b.update_thing, thingName="sensor-1",
                               expectedVersion=1)
        found = b.list_things(attributeName="room", attributeValue="kitchen")["things"]
        self.assertEqual([x["thingName"] for x in found], ["sensor-1"])
        self.assertEqual(b.list_things(attributeName="room", attributeValue="attic")["things"], [])
        b.detach_thing_principal(thingName="sensor-1", principal=arn)
        self.assertEqual(b.list_thing_principals(thingName="sensor-1")["principals"], [])
        b.delete_thing(thingName="sensor-1")
        self.assertClientError("ResourceNotFoundException", 404, b.describe_thing, thingName="sensor-1")

    def test_describe_endpoint_is_stable_per_account_and_region(self):
        b = self.boto()
        ats = b.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        prefix = ats.split("-ats.")[0]
        self.assertEqual(b.describe_endpoint()["endpointAddress"], f"{prefix}.iot.us-east-1.trustlane.local")
        self.assertEqual(b.describe_endpoint(endpointType="iot:Data")["endpointAddress"],
                         f"{prefix}.iot.us-east-1.trustlane.local")
        self.assertEqual(b.describe_endpoint(endpointType="iot:CredentialProvider")["endpointAddress"],
                         f"{prefix}.credentials.iot.us-east-1.trustlane.local")
        self.assertEqual(b.describe_endpoint(endpointType="iot:Jobs")["endpointAddress"],
                         f"{prefix}.jobs.iot.us-east-1.trustlane.local")
        eu = self.boto(region="eu-west-1").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        self.assertTrue(eu.endswith("-ats.iot.eu-west-1.trustlane.local"))
        self.assertClientError("InvalidRequestException", 400, b.describe_endpoint, endpointType="iot:Nope")

    def test_paginators(self):
        b = self.boto()
        for i in range(7):
            b.create_thing(thingName=f"t{i}")
        names = [t["thingName"] for page in b.get_paginator("list_things").paginate(PaginationConfig={"PageSize": 3})
                 for t in page["things"]]
        self.assertEqual(names, [f"t{i}" for i in range(7)])
        for i in range(4):
            b.create_keys_and_certificate()
        pages = list(b.get_paginator("list_certificates").paginate(PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["certificates"]) for p in pages], [2, 2])
        self.assertNotIn("nextMarker", pages[-1])


if __name__ == "__main__":
    unittest.main()
