"""Facts about the channel adapters (core/channels.py): Alibaba Cloud's request signature against the
known answer of the provider's documentation, the fake server's independent check agreeing with it,
and each adapter's request as the provider receives it."""

from __future__ import annotations

from gongzhi.core.channels import aliyun_percent_encode, aliyun_signature, aliyun_string_to_sign
from gongzhi.core.tests.fakes import pop_signature

# The worked example of Alibaba Cloud SMS's "HTTP 协议及签名" page (SendSms, signature version 1.0,
# AccessKeySecret "testSecret"): https://help.aliyun.com/document_detail/101343.html
DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_signature_matches_the_documented_example():
    assert aliyun_signature(DOC_PARAMS, "testSecret") == DOC_SIGNATURE
    assert aliyun_percent_encode(DOC_SIGNATURE) == "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"


def test_the_string_to_sign_starts_as_documented():
    text = aliyun_string_to_sign(DOC_PARAMS)
    assert text.startswith("GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123")
    assert "SignName%3D%25E9%2598%25BF%25E9%2587%258C" in text  # UTF-8, encoded twice
    assert text.endswith("Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25")


def test_the_fakes_independent_check_agrees_with_the_documented_example():
    assert pop_signature(DOC_PARAMS, "testSecret") == DOC_SIGNATURE


def test_percent_encoding_rules():
    # Unreserved characters stay; space is %20 (not +), * is %2A, ~ stays.
    assert aliyun_percent_encode("a-b_c.d~e") == "a-b_c.d~e"
    assert aliyun_percent_encode("a b*c+d/e") == "a%20b%2Ac%2Bd%2Fe"
    assert aliyun_percent_encode("周") == "%E5%91%A8"
