"""Numbers on Chinese pages as Chinese office documents write them: thousands separated by commas, in
groups of three (35,978 条; 1,240 户). Django's zh_Hans format has no separator and groups by four, so
``intcomma`` wrote "35978". Only these two settings differ; every other format is Django's zh_Hans."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
