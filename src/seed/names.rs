//! Built-in name lists for `gatehouse seed`: every first × last pairing gives
//! 200 × 200 = 40,000 distinct people before any name repeats.

pub const FIRST: [&str; 207] = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Dorothy", "George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie", "Edward",
    "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Kathleen",
    "Gary", "Amy", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna", "Stephen",
    "Brenda", "Larry", "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Helen",
    "Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Alexander", "Debra",
    "Frank", "Rachel", "Patrick", "Carolyn", "Raymond", "Janet", "Jack", "Catherine", "Dennis",
    "Maria", "Jerry", "Heather", "Tyler", "Diane", "Aaron", "Ruth", "Jose", "Julie", "Adam",
    "Olivia", "Nathan", "Joyce", "Henry", "Virginia", "Douglas", "Victoria", "Zachary", "Kelly",
    "Peter", "Lauren", "Kyle", "Christina", "Noah", "Joan", "Ethan", "Evelyn", "Jeremy",
    "Judith", "Walter", "Megan", "Christian", "Andrea", "Keith", "Cheryl", "Roger", "Hannah",
    "Terry", "Jacqueline", "Austin", "Martha", "Sean", "Gloria", "Gerald", "Teresa", "Carl",
    "Ann", "Harold", "Sara", "Dylan", "Madison", "Arthur", "Frances", "Lawrence", "Kathryn",
    "Jordan", "Janice", "Jesse", "Jean", "Bryan", "Abigail", "Billy", "Alice", "Bruce", "Judy",
    "Gabriel", "Sophia", "Joe", "Grace", "Logan", "Denise", "Alan", "Amber", "Juan", "Doris",
    "Albert", "Marilyn", "Willie", "Danielle", "Elijah", "Beverly", "Wayne", "Isabella",
    "Randy", "Theresa", "Vincent", "Diana", "Mason", "Natalie", "Roy", "Brittany", "Ralph",
    "Charlotte", "Bobby", "Marie", "Russell", "Kayla", "Bradley", "Alexis", "Philip", "Lori",
    "Eugene", "Ingrid", "Sven", "Aiko", "Kenji", "Priya", "Ravi", "Mei", "Wei",
];

pub const LAST: [&str; 210] = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
    "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster",
    "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
    "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
    "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno",
    "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina",
    "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison",
    "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry",
    "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson",
    "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
    "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
    "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza",
    "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne",
    "Grant", "Dunn", "Kelley", "Spencer", "Hawkins", "Arnold", "Pierce", "Hansen", "Larsen",
    "Tanaka", "Suzuki", "Kowalski", "Novak", "Rossi", "Dubois",
];

/// The seeded workspace's teams.
pub const TEAMS: [&str; 20] = [
    "Engineering", "Design", "Product", "Marketing", "Sales", "Support", "Finance", "Legal",
    "Operations", "Research", "Security", "Data", "Platform", "Mobile", "Infrastructure",
    "People", "Partnerships", "Quality", "Documentation", "Field",
];

/// The `index`-th generated person: first and last name, and how many times this pairing
/// has already been used. Pairings are visited in a scrambled order (a stride coprime to
/// their number) so neighbours in the list do not share a name.
pub fn pair(index: u64) -> (&'static str, &'static str, u64) {
    let pairings = (FIRST.len() * LAST.len()) as u64;
    let scrambled = (index % pairings).wrapping_mul(7_919) % pairings;
    let first = FIRST[(scrambled % FIRST.len() as u64) as usize];
    let last = LAST[(scrambled / FIRST.len() as u64) as usize % LAST.len()];
    (first, last, index / pairings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairings_do_not_repeat_before_all_are_used() {
        let n = (FIRST.len() * LAST.len()) as u64;
        let seen: std::collections::HashSet<_> = (0..n).map(pair).collect();
        assert_eq!(seen.len() as u64, n);
        assert_eq!(pair(n).2, 1);
    }
}
