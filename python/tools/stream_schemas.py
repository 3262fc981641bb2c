"""The Arrow schemas of the stream's four surfaces (stream.md Part 1), written from the spec, shared by the
server's Python tests (python/tests/test_stream_server.py) and the web view's fixture writer
(web/test/fixtures/make_fixtures.py)."""
import pyarrow as pa

SCHEMAS = {
    "snap": pa.schema([("window_end_ts_ns", pa.int64()), ("mid_price", pa.float64()),
                       ("spot_ref_price_int", pa.int64()), ("book_valid", pa.bool_())]),
    "velocity": pa.schema([("window_end_ts_ns", pa.int64()), ("spot_ref_price_int", pa.int64()),
                           ("rel_ticks", pa.int32()), ("side", pa.string()),
                           *[(c, pa.float64()) for c in ("liquidity_velocity", "rho", "nu", "kappa",
                                                         "pressure_grad", "u_wave_energy", "Omega")]]),
    "options": pa.schema([("window_end_ts_ns", pa.int64()), ("spot_ref_price_int", pa.int64()),
                          ("rel_ticks", pa.int32()), ("liquidity_velocity", pa.float64())]),
    "forecast": pa.schema([("window_end_ts_ns", pa.int64()), ("horizon_s", pa.int32()),
                           ("predicted_spot_tick", pa.int64()), ("predicted_tick_delta", pa.int64()),
                           ("confidence", pa.float64()), ("RunScore_up", pa.float64()),
                           ("RunScore_down", pa.float64()), ("D_up", pa.int32()), ("D_down", pa.int32())]),
}
