//! The area table is written once (`src/areas.md`): the crate docs include
//! it, and the README must carry the same rows.

#[test]
fn the_readme_carries_the_area_table_of_the_crate_docs() {
    let table = include_str!("../src/areas.md");
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(table.trim_end()),
        "README.md's area table differs from src/areas.md (the crate docs' table): copy src/areas.md into the README"
    );
    for reference in ["Runners", "RunnerGroups", "HostedRunners", "NetworkConfigurations", "RunnerPermissions", "Jobs"]
    {
        assert!(table.contains(&format!("][{reference}]")), "src/areas.md lost its link to {reference}");
        assert!(
            readme.contains(&format!("\n[{reference}]: https://docs.rs/gha-runners/")),
            "README.md lacks the link definition for [{reference}]"
        );
    }
}
