//! Builds every guest program and prints, as JSON, what the parity runner needs to run each one:
//! `[{ name, wasm, spec, stdout }]` (stdout: the expected output, or null).
fn main() -> anyhow::Result<()> {
    let mut out = Vec::new();
    for (guest, wasm) in wrun_tests::build_all()? {
        let expected = guest.expected_stdout()?.map(|b| String::from_utf8_lossy(&b).into_owned());
        out.push(serde_json::json!({
            "name": guest.name,
            "wasm": wasm,
            "spec": guest.spec()?,
            "stdout": expected,
        }));
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
