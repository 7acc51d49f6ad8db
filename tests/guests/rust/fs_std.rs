//! The filesystem through Rust's std (wasi-libc underneath): what real tools do.
use std::fs;
use std::io::{Seek, SeekFrom, Write};

fn main() {
    let root = std::path::Path::new("/scratch");
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    fs::write(root.join("a/b/c/file.txt"), "contents\n").unwrap();
    fs::write(root.join("a/one"), "1").unwrap();
    fs::write(root.join("a/two"), "22").unwrap();
    let mut names: Vec<String> = fs::read_dir(root.join("a")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("a contains {names:?}");
    println!("file says {:?}", fs::read_to_string(root.join("a/b/c/file.txt")).unwrap());
    let meta = fs::metadata(root.join("a/two")).unwrap();
    println!("two: {} bytes, file={}, dir={}", meta.len(), meta.is_file(), meta.is_dir());
    fs::rename(root.join("a/two"), root.join("a/b/deux")).unwrap();
    println!("renamed: {}", fs::read_to_string(root.join("a/b/deux")).unwrap());
    let mut f = fs::OpenOptions::new().append(true).open(root.join("a/one")).unwrap();
    f.write_all(b"+appended").unwrap();
    let mut f = fs::OpenOptions::new().write(true).open(root.join("a/one")).unwrap();
    f.seek(SeekFrom::Start(0)).unwrap();
    f.write_all(b"!").unwrap();
    drop(f);
    println!("one: {}", fs::read_to_string(root.join("a/one")).unwrap());
    match fs::read_to_string(root.join("missing")) {
        Err(e) => println!("missing: {:?}", e.kind()),
        Ok(_) => println!("missing exists?"),
    }
    match fs::remove_dir(root.join("a")) {
        // std on wasip1 does not name ENOTEMPTY's kind (it is `Uncategorized`), so print the OS code.
        Err(e) => println!("remove non-empty: errno {:?}", e.raw_os_error()),
        Ok(()) => println!("removed a non-empty dir?"),
    }
    fs::hard_link(root.join("a/b/c/file.txt"), root.join("a/link")).unwrap();
    println!("via link: {:?}", fs::read_to_string(root.join("a/link")).unwrap());
    fs::remove_dir_all(root.join("a")).unwrap();
    println!("left: {}", fs::read_dir(root).unwrap().count());
}
