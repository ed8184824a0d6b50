// Command org-member-role is the Lambda function of the portal route "org-member-role".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-member-role") }
