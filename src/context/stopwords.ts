/** Keywords and ubiquitous names across the supported languages: looking them up only finds noise. */
export const IDENTIFIER_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "if else for while do switch case default break continue return function class const let var new this self super " +
    "import from export as async await yield try catch finally throw throws typeof instanceof in of void delete true " +
    "false null undefined None True False def lambda pass with global nonlocal elif except raise assert is not and or " +
    "print len range str int float bool list dict set tuple object type interface enum extends implements public " +
    "private protected static readonly abstract override final package struct impl trait fn mut pub use mod crate " +
    "match where loop func go chan select defer map string byte rune error nil namespace using virtual template " +
    "typename include define ifdef endif auto unsigned signed long short char double sizeof end begin then elsif " +
    "unless until module require echo array isset unset foreach declare get set value keyof infer any unknown never " +
    "number boolean symbol bigint Promise Array Object String Number Boolean Map Set Error console log length push"
  ).split(" "),
);
