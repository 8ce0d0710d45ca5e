"""The offline map: WKT points parsed strictly, projected north-up inside the box."""

from conflictkg.web.mapsvg import Located, parse_wkt_point, project


def test_wkt_points_parse_and_junk_does_not() -> None:
    assert parse_wkt_point("POINT(40.05303 35.42022)") == (40.05303, 35.42022)
    assert parse_wkt_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (40 35)") == (40.0, 35.0)
    for junk in ("POINT(400 35)", "LINESTRING(1 2, 3 4)", "POINT(a b)", ""):
        assert parse_wkt_point(junk) is None


def test_projection_keeps_points_inside_and_north_up() -> None:
    places = [
        Located(40.05303, 35.42022, "Ayash", "/id/place/ayyash", "self"),
        Located(40.14084, 35.33588, "Deir Ezzor", "/id/place/deir-ezzor", "parent"),
    ]
    view = project(places, width=400, height=300, margin=20)
    assert view is not None
    ayash, city = view.points
    assert all(20 <= p.x <= 380 and 20 <= p.y <= 280 for p in view.points)
    assert ayash.x < city.x and ayash.y < city.y, "Ayash is north-west of the city"
    assert view.west < 40.05303 < 40.14084 < view.east and view.south < 35.33588 < 35.42022 < view.north


def test_single_point_is_centred_and_no_points_no_map() -> None:
    view = project([Located(40.0, 35.0, "x", None, "self")], width=200, height=100, margin=10)
    assert view is not None and (view.points[0].x, view.points[0].y) == (100, 50)
    assert project([]) is None
