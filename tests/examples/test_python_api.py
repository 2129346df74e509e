import unittest
import urllib.request

from trustoo_mock import MockTrustoo


class ReviewsTest(unittest.TestCase):
    def setUp(self):
        self.trustoo = MockTrustoo()  # in process, fresh, the demo data
        self.addCleanup(self.trustoo.close)

    def test_the_demo_shop_has_reviews(self):
        shop = self.trustoo.shop("70000000001")
        with self.trustoo.client(shop) as http:
            page = http.get("/api/v1/openapi/get_reviews", params={"page_size": 5}).json()
        self.assertEqual(len(page["data"]["list"]), 5)

    def test_a_live_server_for_code_that_opens_its_own_connections(self):
        with (
            MockTrustoo.serve(port=0) as server,  # a free port, in a background thread
            urllib.request.urlopen(f"{server.base_url}/_mock/health") as answer,
        ):
            self.assertEqual(answer.status, 200)
