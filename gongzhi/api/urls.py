from ninja import NinjaAPI

api = NinjaAPI(title="gongzhi API", version="1", urls_namespace="api")
