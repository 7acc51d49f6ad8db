//! Benchmark: file-system calls on a preopened host directory. Creates 2 000 small files, lists
//! the directory, reads each file, renames each, deletes each, and prints the counts. The
//! directory is the first argument (default `/bench`) and must start empty.
use std::fs;
use std::io::Write;

const FILES: usize = 2_000;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/bench".to_string());
    let name = |i: usize| format!("{dir}/file{i:05}.txt");
    let renamed = |i: usize| format!("{dir}/moved{i:05}.dat");

    for i in 0..FILES {
        let mut f = fs::File::create(name(i)).expect("create");
        writeln!(f, "file number {i}, a little content to read back").expect("write");
    }

    let mut listed = 0;
    for entry in fs::read_dir(&dir).expect("read_dir") {
        let entry = entry.expect("dir entry");
        if entry.file_name().to_string_lossy().starts_with("file") {
            listed += 1;
        }
    }

    let mut read_bytes = 0;
    for i in 0..FILES {
        let text = fs::read_to_string(name(i)).expect("read");
        assert!(text.starts_with(&format!("file number {i},")), "file {i} has the wrong content");
        read_bytes += text.len();
    }

    for i in 0..FILES {
        fs::rename(name(i), renamed(i)).expect("rename");
    }
    for i in 0..FILES {
        fs::remove_file(renamed(i)).expect("remove");
    }
    let left = fs::read_dir(&dir).expect("read_dir").count();

    println!("created {FILES} listed {listed} read {read_bytes} bytes renamed {FILES} deleted {FILES} left {left}");
}
