//! With the `grpc` feature: the gRPC service's code from
//! `proto/snowid.proto`, parsed by protox (pure Rust, no system `protoc`).

fn main() {
    #[cfg(feature = "grpc")]
    {
        let proto = "../proto/snowid.proto";
        println!("cargo:rerun-if-changed={proto}");
        let fds = protox::compile([proto], ["../proto"]).expect("proto/snowid.proto");
        tonic_prost_build::configure()
            .build_client(false)
            .compile_fds(fds)
            .expect("gRPC code from proto/snowid.proto");
    }
}
