//! Builds every guest program and prints, as JSON, what the parity runner needs to run each one:
//! `[{ name, wasm, spec, stdout, stderr }]` (stdout, stderr: the expected output, or null).
fn main() -> anyhow::Result<()> {
    let mut out = Vec::new();
    for (guest, wasm) in wrun_tests::build_all()? {
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        let expected = guest.expected_stdout()?.map(text);
        let expected_stderr = guest.expected_stderr()?.map(text);
        out.push(serde_json::json!({
            "name": guest.name,
            "wasm": wasm,
            "spec": guest.spec()?,
            "stdout": expected,
            "stderr": expected_stderr,
        }));
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
