"""The offline map: WKT points parsed strictly, projected north-up inside the box."""

from conflictkg.web.mapsvg import LABEL_EDGE, Located, MapPoint, label_width, parse_wkt_point, place_label, project


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


def _extent(point: MapPoint) -> tuple[float, float]:
    """Left and right edge of a label by the module's own width estimate."""
    width = label_width(point.place)
    left = point.label_x if point.label_anchor == "start" else point.label_x - width
    return left, left + width


def test_labels_near_the_right_edge_turn_left_and_stay_in_the_box() -> None:
    """The screenshot bug: "Deir Ezzor military airport" east of the city ran out of the frame
    (coordinates here are illustrative, only their layout matters)."""
    places = [
        Located(40.14084, 35.33588, "Deir Ezzor", "/id/place/deir-ezzor", "self"),
        Located(40.17500, 35.28500, "Deir Ezzor military airport", "/id/place/airport", "sibling"),
        Located(40.05303, 35.42022, "Ayash", "/id/place/ayyash", "child"),
    ]
    view = project(places)
    assert view is not None
    by_label = {p.place.label: p for p in view.points}
    airport = by_label["Deir Ezzor military airport"]
    assert airport.label_anchor == "end" and airport.label_x < airport.x
    assert by_label["Ayash"].label_anchor == "start" and by_label["Ayash"].label_x > by_label["Ayash"].x
    for point in view.points:
        left, right = _extent(point)
        assert 0 <= left and right <= view.width, point


def test_a_label_too_long_for_either_side_is_pinned_inside() -> None:
    point = place_label(200, 50, Located(40.0, 35.0, "x" * 40, None, "child"), width=420)
    assert (point.label_x, point.label_anchor) == (LABEL_EDGE, "start")
