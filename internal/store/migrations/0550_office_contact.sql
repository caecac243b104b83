-- The contact of a federation or tax office (issue 17): its telephone and address, edited by
-- administrators, shown on the help page (使用帮助) and the login page's 忘记密码 note so a clerk
-- knows whom to ask. Empty until an administrator fills them in.
ALTER TABLE federation_offices ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE federation_offices ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE tax_offices ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE tax_offices ADD COLUMN address TEXT NOT NULL DEFAULT '';
