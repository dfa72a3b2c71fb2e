"""Office pages of owners' decisions (/votes/) and the owner's own pages (/votes/mine/)."""

from django.urls import path

from gongzhi.voting.views import office, owner

app_name = "voting"

urlpatterns = [
    path("", office.index, name="index"),
    path("estate/<int:estate_id>/new/", office.create, name="create"),
    path("<int:pk>/", office.detail, name="detail"),
    path("<int:pk>/edit/", office.edit, name="edit"),
    path("<int:pk>/delete/", office.delete, name="delete"),
    path("<int:pk>/attachments/", office.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/remove/", office.attachment_remove, name="attachment_remove"),
    path("<int:pk>/publish/", office.publish, name="publish"),
    path("<int:pk>/canvass/", office.canvass, name="canvass"),
    path("<int:pk>/ballots/", office.ballots, name="ballots"),
    path("<int:pk>/ballots/paper/", office.paper, name="paper"),
    path("<int:pk>/ballots/proxy/", office.proxy, name="proxy"),
    path("ballots/<int:pk>/authorisation/", office.authorisation, name="authorisation"),
    path("<int:pk>/close/", office.close, name="close"),
    path("<int:pk>/preliminary/", office.preliminary, name="preliminary"),
    path("<int:pk>/finalise/", office.finalise, name="finalise"),
    path("<int:pk>/roll.xlsx", office.roll, name="roll"),
    # the owner's pages (mobile, portal style)
    path("mine/", owner.mine, name="mine"),
    path("mine/<int:pk>/", owner.decision, name="owner_decision"),
    path("mine/<int:pk>/cast/", owner.cast, name="cast"),
]
