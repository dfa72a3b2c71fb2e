RESOURCES: list = []


def resources_for(scope):
    return []
