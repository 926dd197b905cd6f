"""The demo city's online posts (issue 15 A): every state of the flow at once."""

from demo.online import POSTS, posts_create
from online.choices import StepKind
from online.deadlines import post_deadlines
from online.models import OnlinePost


def test_the_demo_has_posts_in_every_state(city):
    assert posts_create() == len(POSTS)
    assert set(OnlinePost.objects.values_list("last_step", flat=True)) == set(StepKind.values)
    assert OnlinePost.objects.filter(state="closed").count() == 1
    kinds = {d.key.split(":")[2] for d in post_deadlines()}
    assert {"answer", "disclosure_order"} <= kinds
